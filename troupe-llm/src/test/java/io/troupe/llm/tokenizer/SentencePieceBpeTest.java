package io.troupe.llm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A hand-built Llama-2-format tokenizer (resources/tokenizer/sp_tiny): Prepend+Replace normalizer,
 * no pre-tokenizer, BPE with byte fallback and fused unk, Replace/ByteFallback/Fuse/Strip decoder.
 * Expected ids are worked out by hand from the merge ranks.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SentencePieceBpeTest {
    static Tokenizer tok;

    @BeforeAll
    static void load() throws URISyntaxException {
        tok = Tokenizer.fromDirectory(Path.of(SentencePieceBpeTest.class.getResource("/tokenizer/sp_tiny").toURI()));
    }

    @Test
    void mergesByRankAcrossWholeSentence() {
        // ▁ H e l l o ▁ w o r l d -> ▁Hello ▁world (ranks 0..9); add_bos_token puts <s> first
        assertThat(tok.encode("Hello world", true)).containsExactly(1, 19, 23);
        assertThat(tok.encode("Hello world", false)).containsExactly(19, 23);
        assertThat(tok.decode(new int[] {1, 19, 23}, true)).isEqualTo("Hello world");
        assertThat(tok.decode(new int[] {1, 19, 23}, false)).isEqualTo("<s> Hello world");
    }

    @Test
    void byteFallbackForUnknownChars() {
        // 你 = E4 BD A0, not in vocab: three byte tokens after the prepended ▁
        assertThat(tok.encode("你", false)).containsExactly(7, 4, 5, 6);
        assertThat(tok.decode(new int[] {7, 4, 5, 6}, false)).isEqualTo("你");
        assertThat(tok.encode("Hello\n", false)).containsExactly(19, 3);
        // an incomplete byte sequence decodes to U+FFFD per byte
        assertThat(tok.decode(new int[] {4, 5}, false)).isEqualTo("\uFFFD\uFFFD");
    }

    @Test
    void unknownCharsWithoutByteTokensFuseIntoOneUnk() {
        // 'a' has neither a token nor a <0x61> byte token
        assertThat(tok.encode("aa", false)).containsExactly(7, 0);
        assertThat(tok.encode("Hello aa world", false)).containsExactly(19, 7, 0, 23);
    }

    @Test
    void specialTokensAreSplitOutAndEachSectionGetsThePrefix() {
        // sections: "Hello" | </s> | " world"; Prepend applies per section -> "▁▁world" for the last
        assertThat(tok.encode("Hello</s>world", false)).containsExactly(19, 2, 23);
    }

    @Test
    void configAndGenerationConfig() {
        assertThat(tok.bosId()).isEqualTo(1);
        assertThat(tok.eosIds()).containsExactly(2, 3);
        assertThat(tok.vocabSize()).isEqualTo(25);
        assertThat(tok.tokenToId("▁world")).contains(23);
        assertThat(tok.idToToken(19)).contains("▁Hello");
        assertThat(tok.isSpecial(1)).isTrue();
        assertThat(tok.chatTemplate()).isPresent();
    }

    @Test
    void streamingKeepsLeadingSpacesAndHoldsPartialBytes() {
        StreamingDecoder s = tok.newStreamingDecoder(true);
        assertThat(s.next(1)).isEmpty();
        assertThat(s.next(19)).isEqualTo("Hello");
        assertThat(s.next(23)).isEqualTo(" world");
        assertThat(s.next(7)).isEqualTo(" "); // not the first token, so the space is real
        assertThat(s.next(4)).isEmpty();
        assertThat(s.next(5)).isEmpty();
        assertThat(s.next(6)).isEqualTo("你");
        assertThat(s.finish()).isEmpty();

        StreamingDecoder t = tok.newStreamingDecoder(true);
        assertThat(t.next(4)).isEmpty();
        assertThat(t.finish()).isEqualTo("\uFFFD");
    }
}
