/**
 * The UTF-8 length of a string, counted without encoding it. A high surrogate counts with the
 * unit after it as one 4-byte character: the frames measured are the codec's JSON, which has no
 * lone surrogate (JSON.stringify escapes them), or decoded text, where they became U+FFFD.
 */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
