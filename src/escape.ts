/**
 * How text from files, stores and requests reaches a terminal: with control characters and
 * characters that change how a line reads without showing themselves written as escapes.
 *
 * A module of its own, away from redact.ts, which the helper loads on every `docker pull`: the
 * helper prints no line for people, and the Unicode property classes below cost about half a
 * millisecond to compile, so they are also compiled only when a line that is not plain ASCII
 * first needs them (credkit-kubelet-provider's lines rarely do).
 */

// C0 controls but tab and newline, DEL, and C1 controls.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
// What changes how a line reads without showing itself: format characters (the bidi overrides,
// embeddings, isolates and marks U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C; the
// zero-width U+200B–U+200D, U+2060, U+FEFF; tags), the other default-ignorable ones (variation
// selectors, U+3164 and the other Hangul fillers), the line and paragraph separators, and halves
// of a surrogate pair left alone. No registry host, port or path holds one.
const INVISIBLE = '[\\p{Default_Ignorable_Code_Point}\\p{Cf}\\p{Zl}\\p{Zp}\\p{Cs}]';
// Printable ASCII, tab and newline: nearly every line, which then needs no replacing.
const PLAIN = /^[\t\n\x20-\x7e]*$/;

interface InvisiblePatterns {
  /** A control character but tab and newline, or an invisible one: what escapeControls replaces. */
  both: RegExp;
  /** Any control character or invisible one. */
  anyHidden: RegExp;
  /** What JSON.stringify leaves as it is but a terminal would act on. */
  jsonUnsafe: RegExp;
}

let compiled: InvisiblePatterns | undefined;

function invisiblePatterns(): InvisiblePatterns {
  compiled ??= {
    both: new RegExp(`${CONTROL.source}|${INVISIBLE}`, 'gu'),
    anyHidden: new RegExp(`[\\x00-\\x1f\\x7f-\\x9f]|${INVISIBLE}`, 'u'),
    // DEL, C1 controls and the invisible characters (JSON.stringify escapes C0 controls and lone surrogates itself).
    jsonUnsafe: new RegExp(`[\\x7f-\\x9f]|${INVISIBLE}`, 'gu'),
  };
  return compiled;
}

/** `\u202e`, or `\u{e0041}` beyond the BMP: how a JavaScript or JSON reader would write it. */
function unicodeEscape(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Control characters shown as `\xNN`, and characters that change how a line reads without
 * showing themselves (bidi overrides, zero-width spaces and the like) as `\u202e`: lines for
 * people carry keys, URLs, image names and usernames from files, stores and requests, and an
 * escape sequence in one must not reach a terminal or a log viewer (clear the screen, fake a
 * line), nor a right-to-left override make one registry read as another ("Trojan Source").
 * Tab and newline are left to the caller.
 */
export function escapeControls(line: string): string {
  if (PLAIN.test(line)) return line;
  return line.replace(invisiblePatterns().both, (c) => (c.length === 1 && c.charCodeAt(0) <= 0x9f ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : unicodeEscape(c)));
}

/**
 * Control characters alone shown as `\xNN` (tab and newline left to the caller), for a secret
 * printed because the user asked for it: a zero-width joiner in an emoji or a right-to-left mark
 * after a Hebrew word is part of the password the user copies from the line, and escaping it
 * would print another one, while an escape sequence still must not reach the terminal.
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** True when `text` holds a character {@link escapeControls} would escape (tab and newline included). */
export function holdsInvisible(text: string): boolean {
  return !/^[\x20-\x7e]*$/.test(text) && invisiblePatterns().anyHidden.test(text);
}

/**
 * JSON text with every DEL, C1 control and invisible character inside its strings written as a
 * `\uXXXX` escape (a pair of them beyond the BMP): the same value to any JSON reader, a key kept
 * exactly as written, but nothing on a terminal that shows the output reorders or hides text.
 * Outside strings JSON text holds none of these characters, so every match is inside one.
 */
export function escapeJSONText(json: string): string {
  if (/^[\t\n\r\x20-\x7e]*$/.test(json)) return json;
  return json.replace(invisiblePatterns().jsonUnsafe, (c) => {
    let out = '';
    for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
    return out;
  });
}
