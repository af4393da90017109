package io.troupe.bench.llm;

import io.troupe.llm.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Encode throughput of the tokenizer on one thread: MB of UTF-8 input per second, median of {@code --repeat} runs
 * after one warm-up run, for each model folder given. A program, not a test.
 *
 * <pre>
 * java -cp ... io.troupe.bench.llm.TokenizerBenchmark --text FILE [--repeat 5] DIR...
 * </pre>
 * The text is split into lines and each line is encoded on its own (as prompts are); the word cache is cleared
 * by loading the tokenizer afresh for every run, so cache hits come only from repeats within the text.
 */
public final class TokenizerBenchmark {
  private TokenizerBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path text = null;
    int repeat = 5;
    int first = 0;
    for (; first < args.length && args[first].startsWith("--"); first += 2) {
      switch (args[first]) {
        case "--text" -> text = Path.of(args[first + 1]);
        case "--repeat" -> repeat = Integer.parseInt(args[first + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[first]);
      }
    }
    if (text == null || first >= args.length) {
      System.err.println("usage: TokenizerBenchmark --text FILE [--repeat N] MODEL_DIR...");
      System.exit(2);
    }
    String[] lines = Files.readString(text).split("\n");
    long bytes = Files.size(text);
    for (int i = first; i < args.length; i++) {
      Path dir = Path.of(args[i]);
      double[] mbps = new double[repeat];
      long tokens = 0;
      for (int run = -1; run < repeat; run++) {
        Tokenizer tok = Tokenizer.fromDirectory(dir);
        long t0 = System.nanoTime();
        long n = 0;
        for (String line : lines) {
          n += tok.encode(line, false).length;
        }
        double s = (System.nanoTime() - t0) / 1e9;
        if (run >= 0) {
          mbps[run] = bytes / 1e6 / s;
          tokens = n;
        }
      }
      Arrays.sort(mbps);
      System.out.printf(Locale.ROOT, "%s: %.2f MB/s encode (median of %d; min %.2f, max %.2f), %d tokens for %.2f MB "
          + "(%.2f bytes/token)%n", dir, mbps[repeat / 2], repeat, mbps[0], mbps[repeat - 1], tokens, bytes / 1e6,
          (double) bytes / tokens);
    }
  }
}
