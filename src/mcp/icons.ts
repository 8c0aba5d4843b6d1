import type { Icon } from '@modelcontextprotocol/sdk/types.js'
import { avatarSvgDataUri } from '../cards/avatar.ts'

/** An image a persona may carry (card import): a URL or data: URI and its type. */
export interface PersonaAvatar {
  readonly src: string
  readonly mimeType: string
}

/**
 * The `icons` of a persona's resource and prompt (MCP 2025-11-25): its card avatar when it has one
 * (src/cards/avatar-icons.ts says why that is a data: URI), then the SVG monogram the card library draws
 * (initials on a colour from the name: the same name, the same picture), which every host can show.
 */
export function personaIcons (persona: { readonly name: string }, avatar?: PersonaAvatar | null): Icon[] {
  const icons: Icon[] = []
  if (avatar) icons.push({ src: avatar.src, mimeType: avatar.mimeType })
  icons.push({ src: avatarSvgDataUri(persona.name), mimeType: 'image/svg+xml', sizes: ['any'] })
  return icons
}

/** The icons of each persona, their avatars read together (a cached lookup per persona). */
export async function iconsOf (personas: ReadonlyArray<{ readonly id: string, readonly name: string }>, avatarOf?: (personaId: string) => Promise<PersonaAvatar | undefined>): Promise<Icon[][]> {
  return Promise.all(personas.map(async (p) => personaIcons(p, avatarOf ? await avatarOf(p.id) : undefined)))
}
