import type { Avatar } from './assets.ts'

// A persona's card avatar as an MCP icon (`icons[].src`). Why a data: URI and not a URL to the avatar route:
// that route needs an API key, and MCP hosts fetch icons without one (the spec gives icons no auth), so a
// URL would only show a broken image. The server has no public, unauthenticated base URL to point at either.
// A data: URI rides in every resources/list and prompts/list answer, so only small avatars are inlined;
// a larger one leaves the persona with its generated monogram icon.

/** largest avatar inlined as an icon, in bytes (base64 makes it a third bigger on the wire) */
export const ICON_INLINE_MAX = 64 * 1024

export interface AvatarIcon {
  readonly src: string
  readonly mimeType: string
}

export function avatarIconOf (avatar: Avatar | undefined): AvatarIcon | null {
  if (avatar === undefined || avatar.bytes.length > ICON_INLINE_MAX) return null
  return { src: `data:${avatar.mime};base64,${avatar.bytes.toString('base64')}`, mimeType: avatar.mime }
}

/**
 * Icons per persona, cached: list answers read them for every persona, and an avatar changes only when a
 * card is imported (`set`) or its persona is removed (`forget`). Personas without one cost one read, then none.
 */
export function createAvatarIcons (read: (personaId: string) => Promise<Avatar | undefined>) {
  const cache = new Map<string, AvatarIcon | null>()
  return {
    async icon (personaId: string): Promise<AvatarIcon | undefined> {
      let icon = cache.get(personaId)
      if (icon === undefined) {
        icon = avatarIconOf(await read(personaId))
        cache.set(personaId, icon)
      }
      return icon ?? undefined
    },
    set (personaId: string, avatar: Avatar | undefined): void { cache.set(personaId, avatarIconOf(avatar)) },
    forget (personaId: string): void { cache.delete(personaId) },
  }
}
