package io.troupe.llm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SyntheticTokenizersTest {
    @TempDir
    Path dir;

    @Test
    void writesLoadableTokenizerOfExactSize() throws Exception {
        int written = SyntheticTokenizers.writeTo(dir, 1000);
        assertThat(written).isEqualTo(1000);
        assertThat(Files.exists(dir.resolve("tokenizer.json"))).isTrue();
        assertThat(Files.exists(dir.resolve("tokenizer_config.json"))).isTrue();

        Tokenizer tok = Tokenizer.fromDirectory(dir);
        assertThat(tok.vocabSize()).isEqualTo(1000);
        assertThat(tok.bosId()).isEqualTo(995);
        assertThat(tok.tokenToId("<|eot_id|>")).contains(999);
        assertThat(tok.eosIds()).containsExactly(999);
        assertThat(tok.chatTemplate()).isPresent();
    }

    @Test
    void learnedMergesCompressEnglish() {
        Tokenizer tok = SyntheticTokenizers.create(4000);
        String text = "The quick brown fox jumps over the lazy dog.";
        int[] ids = tok.encode(text, false);
        assertThat(ids.length).isLessThan(text.length() / 2);
        assertThat(tok.decode(ids, false)).isEqualTo(text);
    }

    @Test
    void addSpecialPrependsBeginOfText() {
        Tokenizer tok = SyntheticTokenizers.create(500);
        int[] ids = tok.encode("hi", true);
        assertThat(ids[0]).isEqualTo(tok.bosId());
        assertThat(tok.decode(ids, true)).isEqualTo("hi");
        assertThat(tok.decode(ids, false)).isEqualTo("<|begin_of_text|>hi");
    }

    @Test
    void specialTokensInTextAreSingleIds() {
        Tokenizer tok = SyntheticTokenizers.create(500);
        int[] ids = tok.encode("a<|eot_id|>b", false);
        assertThat(ids).contains(tok.tokenToId("<|eot_id|>").orElseThrow());
        assertThat(tok.decode(ids, false)).isEqualTo("a<|eot_id|>b");
        assertThat(tok.decode(ids, true)).isEqualTo("ab");
    }

    @Test
    void isDeterministic() throws Exception {
        Path other = Files.createDirectory(dir.resolve("other"));
        Path one = Files.createDirectory(dir.resolve("one"));
        SyntheticTokenizers.writeTo(one, 700);
        SyntheticTokenizers.writeTo(other, 700);
        assertThat(Files.readString(one.resolve("tokenizer.json"))).isEqualTo(Files.readString(other.resolve("tokenizer.json")));
    }

    @Test
    void largeVocabularyIsQuickAndMostlyLearned() {
        long start = System.nanoTime();
        Tokenizer tok = SyntheticTokenizers.create(32000);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(tok.vocabSize()).isEqualTo(32000);
        // reserved fillers exist only if the corpus ran out of pairs; keep them a small minority
        long reserved = tok.addedTokens().stream().filter(t -> t.content().startsWith("<|reserved")).count();
        System.out.printf("synthetic 32000: %d ms, %d reserved%n", millis, reserved);
        assertThat(reserved).isLessThan(3000);
        assertThat(millis).isLessThan(20_000); // ~1-2 s warm on an idle machine; generous for loaded CI
    }

    @Test
    void rejectsTooSmallVocabulary() {
        assertThatThrownBy(() -> SyntheticTokenizers.writeTo(dir, 100)).isInstanceOf(IllegalArgumentException.class);
    }
}
