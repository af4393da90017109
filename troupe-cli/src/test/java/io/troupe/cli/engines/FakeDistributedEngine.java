package io.troupe.cli.engines;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fake distributed inference engine for tests (no GPU): it rendezvouses as NCCL-based engines do and serves a small
 * OpenAI API, so Troupe's process gangs can be tested for real. Reads Troupe's environment ({@code TROUPE_NODE_RANK},
 * {@code TROUPE_NNODES}, {@code MASTER_ADDR}, {@code MASTER_PORT}, {@code TROUPE_PORT}, {@code TROUPE_EPOCH},
 * {@code CUDA_VISIBLE_DEVICES}); args: {@code --model ID}, optional {@code --token-delay-ms N} (default 20).
 * <ul>
 *   <li>The leader (node rank 0) listens on {@code MASTER_PORT}; every follower connects, says
 *       {@code HELLO <rank> <gpus>@<pid>} and then heartbeats every 200 ms; the leader heartbeats back.</li>
 *   <li>When a peer is lost (its socket closes, or 10 s without a heartbeat) every process exits with code 3, as
 *       NCCL's watchdog ends a job whose peer died.</li>
 *   <li>Once every follower joined, the leader serves on {@code TROUPE_PORT}: {@code GET /v1/models},
 *       {@code GET /health}, {@code POST /v1/completions} and {@code /v1/chat/completions} (with {@code stream: true}
 *       as server-sent events, one word per chunk, {@code max_tokens} words) and {@code POST /v1/embeddings}. The text
 *       says {@code epoch=E nodes=N gpus=[0:ids@pid;1:ids@pid] leader=host:port} (each node rank's CUDA_VISIBLE_DEVICES and pid, and where
 *       the leader serves).</li>
 * </ul>
 */
public final class FakeDistributedEngine {
  private static final Pattern MAX_TOKENS = Pattern.compile("\"max_tokens\"\\s*:\\s*(\\d+)");
  private static final Pattern STREAM = Pattern.compile("\"stream\"\\s*:\\s*true");

  private final int nodeRank = Integer.parseInt(env("TROUPE_NODE_RANK", "0"));
  private final int nnodes = Integer.parseInt(env("TROUPE_NNODES", "1"));
  private final String epoch = env("TROUPE_EPOCH", "0");
  private final String gpus = env("CUDA_VISIBLE_DEVICES", "");
  private final Map<Integer, String> peerGpus = new ConcurrentHashMap<>();
  private final List<Socket> peers = new CopyOnWriteArrayList<>();
  private final String model;
  private final long tokenDelayMs;

  private FakeDistributedEngine(String model, long tokenDelayMs) {
    this.model = model;
    this.tokenDelayMs = tokenDelayMs;
    peerGpus.put(0, gpus + "@" + ProcessHandle.current().pid());
  }

  public static void main(String[] args) throws Exception {
    String model = "fake";
    long delay = 20;
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("--model")) {
        model = args[i + 1];
      } else if (args[i].equals("--token-delay-ms")) {
        delay = Long.parseLong(args[i + 1]);
      }
    }
    new FakeDistributedEngine(model, delay).run();
  }

  private static String env(String k, String d) {
    String v = System.getenv(k);
    return v == null || v.isEmpty() ? d : v;
  }

  private static void log(String s) {
    System.out.println("[fake-engine pid " + ProcessHandle.current().pid() + "] " + s);
    System.out.flush();
  }

  private static void die(String why) {
    log("peer lost: " + why + "; exiting");
    Runtime.getRuntime().halt(3);
  }

  private void run() throws Exception {
    log("node rank " + nodeRank + " of " + nnodes + ", epoch " + epoch + ", CUDA_VISIBLE_DEVICES=" + gpus);
    String masterAddr = env("MASTER_ADDR", "127.0.0.1");
    int masterPort = Integer.parseInt(env("MASTER_PORT", "0"));
    if (nodeRank == 0) {
      ServerSocket rendezvous = new ServerSocket(masterPort, 50, InetAddress.getByName("0.0.0.0"));
      log("rendezvous on " + masterAddr + ":" + masterPort + ", waiting for " + (nnodes - 1) + " follower(s)");
      while (peers.size() < nnodes - 1) {
        Socket s = rendezvous.accept();
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        String[] hello = in.readLine().split(" ", 3);
        peerGpus.put(Integer.parseInt(hello[1]), hello.length > 2 ? hello[2] : "");
        peers.add(s);
        log("follower " + hello[1] + " joined with CUDA_VISIBLE_DEVICES=" + (hello.length > 2 ? hello[2] : ""));
        watch(s, in, "follower " + hello[1]);
      }
      serve(Integer.parseInt(env("TROUPE_PORT", "8000")));
    } else {
      Socket s = null;
      long deadline = System.currentTimeMillis() + 60_000;
      while (s == null) {
        try {
          s = new Socket(masterAddr, masterPort);
        } catch (IOException e) {
          if (System.currentTimeMillis() > deadline) {
            die("cannot reach the leader at " + masterAddr + ":" + masterPort);
          }
          Thread.sleep(100); // the leader may not listen yet
        }
      }
      PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
      out.println("HELLO " + nodeRank + " " + gpus + "@" + ProcessHandle.current().pid());
      peers.add(s);
      log("joined the leader at " + masterAddr + ":" + masterPort);
      watch(s, new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)), "the leader");
    }
    heartbeat();
    Thread.currentThread().join();
  }

  /** Reads a peer's heartbeats; a closed socket or 10 s of silence ends this process. */
  private void watch(Socket s, BufferedReader in, String who) throws IOException {
    s.setSoTimeout(10_000); // generous: a loaded test machine may pause a JVM; a killed peer closes its socket at once
    Thread.ofPlatform().daemon().start(() -> {
      try {
        while (in.readLine() != null) {
          // a heartbeat
        }
        die(who + " closed the connection");
      } catch (IOException e) {
        die(who + ": " + e.getMessage());
      }
    });
  }

  private void heartbeat() {
    Thread.ofPlatform().daemon().start(() -> {
      while (true) {
        for (Socket p : peers) {
          try {
            p.getOutputStream().write("HB\n".getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().flush();
          } catch (IOException e) {
            die("heartbeat failed: " + e.getMessage());
          }
        }
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
  }

  private String identity() {
    StringBuilder g = new StringBuilder();
    new java.util.TreeMap<>(peerGpus).forEach((r, ids) -> g.append(g.isEmpty() ? "" : ";").append(r).append(':')
        .append(ids));
    return "epoch=" + epoch + " nodes=" + nnodes + " gpus=[" + g + "] leader=" + env("MASTER_ADDR", "127.0.0.1") + ":"
        + env("TROUPE_PORT", "0");
  }

  private void serve(int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port), 100);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/health", ex -> send(ex, 200, "{}"));
    server.createContext("/v1/models", ex -> send(ex, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"" + model
        + "\",\"object\":\"model\",\"owned_by\":\"fake\"}]}"));
    server.createContext("/v1/embeddings", ex -> send(ex, 200, "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\","
        + "\"index\":0,\"embedding\":[0.25,0.5," + nnodes + "]}],\"model\":\"" + model + "\",\"usage\":{\"prompt_tokens\":1,"
        + "\"total_tokens\":1}}"));
    server.createContext("/v1/completions", ex -> complete(ex, false));
    server.createContext("/v1/chat/completions", ex -> complete(ex, true));
    server.start();
    log("serving the OpenAI API on port " + port + ": " + identity());
  }

  private void complete(HttpExchange ex, boolean chat) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Matcher m = MAX_TOKENS.matcher(body);
    int n = m.find() ? Integer.parseInt(m.group(1)) : 8;
    String[] words = new String[n];
    String id = identity();
    for (int i = 0; i < n; i++) {
      words[i] = i == 0 ? id : " w" + i;
    }
    String object = chat ? "chat.completion" : "text_completion";
    if (!STREAM.matcher(body).find()) {
      String text = String.join("", words).replace("\"", "'");
      String choice = chat ? "{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + text + "\"},"
          + "\"finish_reason\":\"length\"}" : "{\"index\":0,\"text\":\"" + text + "\",\"finish_reason\":\"length\"}";
      send(ex, 200, "{\"id\":\"fake-1\",\"object\":\"" + object + "\",\"created\":0,\"model\":\"" + model
          + "\",\"choices\":[" + choice + "],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":" + n
          + ",\"total_tokens\":" + (n + 3) + "}}");
      return;
    }
    ex.getResponseHeaders().add("content-type", "text/event-stream");
    ex.sendResponseHeaders(200, 0);
    try (OutputStream out = ex.getResponseBody()) {
      for (int i = 0; i < n; i++) {
        String w = words[i].replace("\"", "'");
        String delta = chat ? "{\"index\":0,\"delta\":{\"content\":\"" + w + "\"},\"finish_reason\":"
            + (i == n - 1 ? "\"length\"" : "null") + "}" : "{\"index\":0,\"text\":\"" + w + "\",\"finish_reason\":"
            + (i == n - 1 ? "\"length\"" : "null") + "}";
        out.write(("data: {\"id\":\"fake-1\",\"object\":\"" + object + (chat ? ".chunk" : "") + "\",\"created\":0,"
            + "\"model\":\"" + model + "\",\"choices\":[" + delta + "]}\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        if (tokenDelayMs > 0) {
          Thread.sleep(tokenDelayMs);
        }
      }
      out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      log("client went away: " + e.getMessage());
    }
  }

  private static void send(HttpExchange ex, int status, String json) throws IOException {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("content-type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }
}
