import type { Icon } from '@modelcontextprotocol/sdk/types.js'
import { avatarSvgDataUri } from '../cards/avatar.ts'

/** An image a persona may carry (card import): a URL or data: URI and its type. */
export interface PersonaAvatar {
  readonly src: string
  readonly mimeType: string
}

/**
 * The `icons` of a persona's resource and prompt (MCP 2025-11-25): its avatar when it has one, otherwise
 * the SVG monogram the card library draws (initials on a colour from the name: the same name, the same picture).
 * Personas carry no avatar field yet; one that does (`avatar`) is used first.
 */
export function personaIcons (persona: { readonly name: string, readonly avatar?: PersonaAvatar | null }): Icon[] {
  const icons: Icon[] = []
  if (persona.avatar) icons.push({ src: persona.avatar.src, mimeType: persona.avatar.mimeType })
  icons.push({ src: avatarSvgDataUri(persona.name), mimeType: 'image/svg+xml', sizes: ['any'] })
  return icons
}
