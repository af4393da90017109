// The strings every real vocabulary is checked on: hand-picked hard cases plus seeded combinations of
// fragments (whitespace runs, digits, code, emoji, CJK, accents, special tokens). Deterministic.
const HAND = [
  "", " ", "  ", "\n", "\n\n", "\t", " \n ", "a", "A", "Hello", " Hello", "Hello world", "Hello  world", "Hello   world ",
  "hello\nworld", "hello\n\nworld", "hello \n world", "  leading", "trailing  ", "\ttab\tseparated\t", "\r\nwindows\r\nlines",
  "1", "12", "123", "1234", "12345", "1234567890", "3.14159", "-42", "1,000,000", "2024-06-01", "0x1F", "v1.2.3", "10km", "a1b2c3",
  "I'm", "you're", "they've", "we'll", "he'd", "It's", "DON'T", "I'M", "'s", "rock'n'roll",
  "def f(x):\n    return x * 2\n", "for (int i = 0; i < n; i++) {\n\tsum += a[i];\n}", "if x==1:\n  pass",
  "const y = {a: 1, b: [2, 3]};", "<div class=\"x\">hi</div>", "SELECT * FROM t WHERE id = 5;", "#include <stdio.h>",
  "    indented four", "        eight spaces", "a\u00a0b", "x  \n  y",
  "café", "naïve", "Größe", "Ångström", "façade", "e\u0301", "cafe\u0301", "ﬁ ligature", "Ⅻ", "①②③", "ｆｕｌｌｗｉｄｔｈ",
  "日本語のテキスト", "你好，世界！", "中文 English 混合", "한국어 문장입니다", "Привет, мир!", "Γειά σου κόσμε", "مرحبا بالعالم", "שלום עולם",
  "हिन्दी पाठ", "ภาษาไทย", "Tiếng Việt có dấu",
  "😀", "👍🏽", "👨‍👩‍👧‍👦", "🇫🇷🇯🇵", "I ❤️ NY", "emoji😀in😀text", "🤖🤖🤖", "a\u200bb", "\u2581already\u2581spm",
  "Ġ", "<0x41>", "<unk>", "<s>", "</s>", "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|begin_of_text|>",
  "<bos>", "<start_of_turn>", "<end_of_turn>", "<|eot_id|>", "<pad>", "text<s>text", "<s> spaced </s>",
  "a.b,c;d:e!f?g", "...", "!!!???", "--", "—em dash—", "“quotes” ‘single’", "«guillemets»", "$100 & 50% off!", "@user #tag",
  "path/to/file.txt", "https://example.com/a?b=c&d=e", "user@example.com", "C:\\Windows\\System32", "~/.bashrc",
  "ALLCAPS WORDS HERE", "camelCaseIdentifier", "snake_case_name", "kebab-case-name", "MixedCASE123abc",
  "The quick brown fox jumps over the lazy dog.", "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
  "a".repeat(50), "ab".repeat(40), " ".repeat(17) + "x", "\n".repeat(5) + "end", "9".repeat(30), "😀".repeat(8),
];

const FRAGMENTS = [
  "the", " cat", "  ", "\n", "\t", "42", "3.0", "x_y", "(", ")", "{", "}", ";", "::", "->", "==", "é", "ü", "日本", "語", "😀",
  "👍", "Ω", "ß", "'s", "'ll", "I", " ", "   ", "\n\n", "abc", "XYZ", "0", "12345678", "#", "//", "\"", "'", "`", "def", "return",
  "λ", "→", "ñ", "ç", "한", "中", "！", "，", "。", "\u00a0",
];

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The strings for one tokenizer; some combinations include that tokenizer's own special tokens. */
export function corpus(specialTokens) {
  const out = [...HAND];
  const r = rng(20240601);
  const pick = (a) => a[Math.floor(r() * a.length)];
  for (let i = 0; i < 150; i++) {
    const n = 1 + Math.floor(r() * 10);
    let s = "";
    for (let j = 0; j < n; j++) {
      s += (specialTokens.length > 0 && r() < 0.06) ? pick(specialTokens.slice(0, 12)) : pick(FRAGMENTS);
    }
    out.push(s);
  }
  return out;
}
