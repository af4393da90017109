package io.troupe.llm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * BPE {@code continuing_subword_prefix} / {@code end_of_word_suffix}: empty strings (real Qwen2/2.5/3
 * tokenizer.json files have both) mean none; non-empty ones mark inner symbols and the word's end, and the prefix
 * is dropped from the right part of a merge, as in Hugging Face tokenizers.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BpeSubwordAffixTest {
    @Test
    void emptyPrefixAndSuffixMeanNone() {
        BpeModel m = new BpeModel(Map.of("a", 0, "b", 1, "ab", 2), List.<String[]>of(new String[] {"a", "b"}), null,
                false, false, false, "", "");
        assertThat(encode(m, "ab")).containsExactly(2);
        assertThat(encode(m, "ba")).containsExactly(1, 0);
    }

    @Test
    void prefixMarksInnerSymbolsAndIsDroppedInMerges() {
        Map<String, Integer> vocab = Map.of("a", 0, "##b", 1, "ab", 2, "##a", 3, "b", 4, "##c", 5, "abc", 6);
        BpeModel m = new BpeModel(vocab, List.of(new String[] {"a", "##b"}, new String[] {"ab", "##c"}), null, false,
                false, false, "##", "");
        assertThat(encode(m, "abc")).containsExactly(6);
        assertThat(encode(m, "ba")).containsExactly(4, 3);
        assertThat(encode(m, "aab")).containsExactly(0, 3, 1); // ("##a","##b") is no merge
    }

    @Test
    void suffixMarksTheLastSymbol() {
        Map<String, Integer> vocab = Map.of("l", 0, "o</w>", 1, "lo</w>", 2, "o", 3);
        BpeModel m = new BpeModel(vocab, List.<String[]>of(new String[] {"l", "o</w>"}), null, false, false, false,
                "", "</w>");
        assertThat(encode(m, "lo")).containsExactly(2);
        // "l</w>" is not in the vocabulary and there is neither unk nor byte fallback
        assertThatThrownBy(() -> encode(m, "ol")).isInstanceOf(TokenizerException.class).hasMessageContaining("no token");
    }

    private static int[] encode(BpeModel m, String word) {
        IntList out = new IntList(4);
        m.encodeWord(word, out);
        return out.toArray();
    }
}
