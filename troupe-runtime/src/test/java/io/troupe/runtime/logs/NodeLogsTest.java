package io.troupe.runtime.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.TroupeException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Log files on disk: size rotation, reading the last lines or from an offset, names that are not served. */
@Timeout(30)
class NodeLogsTest {
  @TempDir
  Path dir;

  @Test
  void rotatesBySizeKeepingTheConfiguredBackups() throws Exception {
    Path f = dir.resolve("actor-x.log");
    try (RotatingLogFile log = new RotatingLogFile(f, 100, 2)) {
      for (int i = 0; i < 10; i++) {
        log.append("line %02d %s\n".formatted(i, "x".repeat(30))); // 39 bytes: two lines per file
      }
    }
    assertThat(Files.readString(f)).isEqualTo("line 08 " + "x".repeat(30) + "\nline 09 " + "x".repeat(30) + "\n");
    assertThat(Files.readString(dir.resolve("actor-x.log.1"))).startsWith("line 06");
    assertThat(Files.readString(dir.resolve("actor-x.log.2"))).startsWith("line 04");
    assertThat(dir.resolve("actor-x.log.3")).doesNotExist();
    assertThat(new NodeLogs(dir).list(null)).extracting(NodeLogs.FileInfo::name)
        .containsExactlyInAnyOrder("actor-x.log", "actor-x.log.1", "actor-x.log.2");
  }

  @Test
  void readsTheLastLinesThenFollowsFromTheEnd() throws Exception {
    NodeLogs logs = new NodeLogs(dir);
    Path f = logs.actorFile(new ActorId("a1"), "app#Dep#r1");
    assertThat(f.getFileName().toString()).isEqualTo("actor-app#Dep#r1-a1.log");
    Files.writeString(f, "one\ntwo\nthree\nfour\n");
    NodeLogs.Chunk last2 = logs.read(f.getFileName().toString(), -1, 2, 1000);
    assertThat(last2.text()).isEqualTo("three\nfour\n");
    assertThat(last2.end()).isEqualTo(last2.size());
    assertThat(logs.read(f.getFileName().toString(), -1, 10, 1000).text()).isEqualTo("one\ntwo\nthree\nfour\n");
    assertThat(logs.read(f.getFileName().toString(), -1, 0, 1000).text()).isEmpty();

    Files.writeString(f, "five\n", java.nio.file.StandardOpenOption.APPEND);
    NodeLogs.Chunk next = logs.read(f.getFileName().toString(), last2.end(), 0, 1000);
    assertThat(next.text()).isEqualTo("five\n");
    // a read capped by max_bytes stops at a whole line, so the follower's next read starts on one
    NodeLogs.Chunk capped = logs.read(f.getFileName().toString(), 0, 0, 10);
    assertThat(capped.text()).isEqualTo("one\ntwo\n");
    assertThat(logs.list("app#Dep#")).hasSize(1);
    assertThat(logs.list("other")).isEmpty();
  }

  @Test
  void refusesNamesThatAreNotFilesOfTheDirectory() throws Exception {
    NodeLogs logs = new NodeLogs(dir.resolve("node"));
    Files.createDirectories(logs.dir());
    Files.writeString(dir.resolve("secret.log"), "no");
    assertThatThrownBy(() -> logs.read("../secret.log", -1, 10, 100)).isInstanceOf(TroupeException.class)
        .hasMessageContaining("not a log file name");
    assertThatThrownBy(() -> logs.read("..", -1, 10, 100)).isInstanceOf(TroupeException.class);
    assertThatThrownBy(() -> logs.read("missing.log", -1, 10, 100)).hasMessageContaining("no log file missing.log");
  }
}
