import { encodeRgbPng } from './png-chunks.ts'

// Generated avatars for personas without an image: the same name always gives the same picture.
// PNG: a 5x5 mirrored identicon in a colour from the name's hash (card export needs a PNG to carry chunks).
// SVG: the initials on a circle of that colour (MCP icons). No fonts are rendered on our side.

/** FNV-1a, 32 bits: a stable, well-spread hash of a short string. */
export function nameHash (name: string): number {
  let h = 0x811c9dc5
  for (const byte of Buffer.from(name.normalize('NFC').toLowerCase(), 'utf8')) h = Math.imul(h ^ byte, 0x01000193) >>> 0
  return h
}

function hslToRgb (h: number, s: number, l: number): [number, number, number] {
  const k = (n: number) => (n + h / 30) % 12
  const a = s * Math.min(l, 1 - l)
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)))
  return [Math.round(f(0) * 255), Math.round(f(8) * 255), Math.round(f(4) * 255)]
}

/** The persona's colour: hue from the hash, saturation and lightness fixed so white text stays readable. */
export function avatarColor (name: string): [number, number, number] {
  return hslToRgb(nameHash(name) % 360, 0.55, 0.45)
}

export const toHex = ([r, g, b]: [number, number, number]) => `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`

/** Up to two initials (first letters of the first two words), upper case; `?` for a name without letters. */
export function initials (name: string): string {
  const words = name.split(/[\s_\-.]+/u).map((w) => Array.from(w).find((c) => /[\p{L}\p{N}]/u.test(c))).filter((c): c is string => c !== undefined)
  return words.length === 0 ? '?' : words.slice(0, 2).join('').toUpperCase()
}

/** A size x size PNG identicon of the name (5x5 cells mirrored left-right, on a light tint). */
export function avatarPng (name: string, size = 256): Buffer {
  const fg = avatarColor(name)
  const bg = fg.map((c) => Math.round(c + (255 - c) * 0.85)) as [number, number, number]
  const hash = nameHash(`${name}#cells`)
  const cells = 5
  const margin = Math.floor(size / 12)
  const cell = Math.floor((size - 2 * margin) / cells)
  const offset = Math.floor((size - cell * cells) / 2)
  const on = (cx: number, cy: number) => ((hash >>> (cy * 3 + Math.min(cx, cells - 1 - cx))) & 1) === 1
  const rgb = new Uint8Array(size * size * 3)
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const cx = Math.floor((x - offset) / cell)
      const cy = Math.floor((y - offset) / cell)
      const inside = x >= offset && y >= offset && cx < cells && cy < cells
      rgb.set(inside && on(cx, cy) ? fg : bg, (y * size + x) * 3)
    }
  }
  return encodeRgbPng(size, size, rgb)
}

const escapeXml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** An SVG monogram: the initials in white on a circle of the persona's colour. */
export function avatarSvg (name: string, size = 128): string {
  const letters = initials(name)
  const text = escapeXml(letters)
  const r = size / 2
  const fontSize = Math.round(size * (Array.from(letters).length > 1 ? 0.4 : 0.5))
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">` +
    `<title>${escapeXml(name)}</title>` +
    `<circle cx="${r}" cy="${r}" r="${r}" fill="${toHex(avatarColor(name))}"/>` +
    `<text x="50%" y="50%" dy=".35em" text-anchor="middle" font-family="sans-serif" font-size="${fontSize}" fill="#ffffff">${text}</text></svg>`
}

/** The SVG as a data: URI, as MCP `icons[].src` accepts. */
export function avatarSvgDataUri (name: string, size = 128): string {
  return `data:image/svg+xml;base64,${Buffer.from(avatarSvg(name, size), 'utf8').toString('base64')}`
}
