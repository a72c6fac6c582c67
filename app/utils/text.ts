// Text rules shared by the server and the browser (form hints). Every function here does work
// linear in its input, and callers check lengths before calling them (decision 0015).

/** Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), and the marks. */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu
/**
 * Zero-width and other invisible characters: soft hyphen, combining grapheme joiner, Hangul and
 * Khmer fillers, zero-width space/joiners, word joiner and invisible operators, BOM, tag characters.
 */
// The combining grapheme joiner (U+034F) is listed on purpose: it is one of the invisibles.
// eslint-disable-next-line no-misleading-character-class
const INVISIBLES = /[\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200d\u2060-\u2064\u3164\ufeff\uffa0\u{e0000}-\u{e007f}]/gu
/** Control characters (C0, DEL, C1) and the line and paragraph separators. */
const CONTROLS_AND_SEPARATORS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u
/** More combining marks in a row than any script needs after NFC ("Zalgo" text). */
const MAX_COMBINING_RUN = 4
const COMBINING_MARK = /\p{M}/u

/**
 * A person's name as we keep it: NFC, without bidirectional controls or invisible characters
 * (these reach delivery packs handed to officials, where an override could reorder what is read).
 */
export function cleanName(value: string): string {
  return value.normalize('NFC').replace(BIDI_CONTROLS, '').replace(INVISIBLES, '').trim()
}

/** True when a (cleaned) name still holds a control character, a line separator or a run of combining marks. */
export function hasForbiddenNameCharacters(value: string): boolean {
  if (CONTROLS_AND_SEPARATORS.test(value)) return true
  let run = 0
  for (const char of value) {
    run = COMBINING_MARK.test(char) ? run + 1 : 0
    if (run > MAX_COMBINING_RUN) return true
  }
  return false
}

/** True when the text holds CR or LF (or another line break), which must never reach an email header. */
export function hasLineBreak(value: string): boolean {
  return /[\r\n\u0085\u2028\u2029]/.test(value)
}

export function hasNul(value: string): boolean {
  return value.includes('\u0000')
}

const URL_SCHEME = /https?:\/\/|www\./i
// Only at the start of a run of label characters (the lookbehind), so each run is scanned once.
const DOMAIN_LIKE = /(?<![a-z0-9-])[a-z0-9-]+\.(?:com|net|org|ru|io|info|biz|xyz|top|ly)(?![a-z0-9])/i

/** Looks like a web address: a scheme, `www.`, or a name under a common top-level domain. */
export function looksLikeUrl(value: string): boolean {
  return URL_SCHEME.test(value) || DOMAIN_LIKE.test(value)
}
