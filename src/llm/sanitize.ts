// User text is data. Chat templates mark roles with special tokens (Llama 3's <|start_header_id|>,
// ChatML's <|im_start|>, Mistral's [INST], Gemma's <start_of_turn>): a user who types one could end
// their turn and open a system turn of their own. Such markers are defused before any text reaches
// the model, and control characters other than newline and tab are dropped.

const TEMPLATE_MARKERS = [
  /<\|[a-z_]{2,32}\|>/gi,          // <|eot_id|>, <|im_start|>, <|start_header_id|>, <|endoftext|>
  /<\/?s>/gi,                      // <s>, </s>
  /\[\/?INST\]/gi,                 // [INST], [/INST]
  /<<\/?SYS>>/gi,                  // <<SYS>>, <</SYS>>
  /<\/?(start|end)_of_turn>/gi,    // <start_of_turn>, <end_of_turn>
]

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g

/** The text with every template marker turned into inert look-alike text. */
export function defuseUserText (text: string): string {
  let clean = text.replace(CONTROL, '')
  for (const marker of TEMPLATE_MARKERS) {
    clean = clean.replace(marker, (token) => `(${token.replace(/[<>|[\]/]/g, '')})`)
  }
  return clean
}
