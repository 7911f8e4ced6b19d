package dev.tagstream.reliability;

import java.io.IOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code tagstream run} in its own JVM, started as {@code java -jar target/tagstream.jar run --config FILE}: the
 * settings go in a small properties file, because ONNX Runtime crashes on this machine when the java command line is
 * long. Its stderr (the log) goes to a file next to the config. {@link #kill()} is SIGKILL; {@link #close()} kills
 * whatever is still running.
 */
final class ChildProcessor implements AutoCloseable {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})?\\s+(\\S+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String name;
    final Path dir;
    final Path log;
    final int metricsPort;
    private final Process process;

    private ChildProcessor(String name, Path dir, Path log, int metricsPort, Process process) {
        this.name = name;
        this.dir = dir;
        this.log = log;
        this.metricsPort = metricsPort;
        this.process = process;
    }

    /**
     * @param settings tagstream and Kafka settings; state.dir and tagstream.metrics.port are added here
     * @param heap the child's -Xmx, e.g. "768m"
     */
    static ChildProcessor start(String name, Path parent, Map<String, String> settings, String heap) throws IOException {
        return start(name, parent, settings, List.of("-Xmx" + heap));
    }

    /** @param jvmOptions a few JVM options; keep the command line short (ONNX Runtime, see the class comment) */
    static ChildProcessor start(String name, Path parent, Map<String, String> settings, List<String> jvmOptions)
            throws IOException {
        Path dir = Files.createDirectories(parent.resolve(name));
        int port = freePort();
        Map<String, String> all = new TreeMap<>(settings);
        all.put("state.dir", dir.resolve("state").toString());
        all.put("tagstream.metrics.port", String.valueOf(port));
        Path config = dir.resolve("tagstream.properties");
        try (Writer w = Files.newBufferedWriter(config)) {
            for (Map.Entry<String, String> e : all.entrySet()) {
                w.write(e.getKey() + "=" + e.getValue().replace("\\", "\\\\") + "\n");
            }
        }
        Path log = dir.resolve("processor.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", jar().toString(), "run", "--config", config.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("TAGSTREAM_") || k.startsWith("KAFKA_")
                || k.startsWith("SCHEMA_REGISTRY_"));
        return new ChildProcessor(name, dir, log, port, pb.start());
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("tagstream.jar", "target/tagstream.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run mvn -B -DskipTests package first");
        }
        return jar.toAbsolutePath();
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no drain, no commit. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, then waits for the graceful drain; SIGKILL if it takes longer than {@code wait}. */
    int terminate(Duration wait) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** /health/ready answers 200. */
    boolean ready() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/health/ready"))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The sum of every sample of {@code metric} whose labels contain {@code labelFilter} ("" for all), if served. */
    OptionalDouble metric(String metric, String labelFilter) {
        String text;
        try {
            text = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return OptionalDouble.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalDouble.empty();
        }
        double sum = 0;
        boolean found = false;
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (m.find() && m.group(1).equals(metric) && (m.group(2) == null ? labelFilter.isEmpty()
                    : m.group(2).contains(labelFilter))) {
                sum += Double.parseDouble(m.group(3));
                found = true;
            }
        }
        return found ? OptionalDouble.of(sum) : OptionalDouble.empty();
    }

    /** Resident set size of the child from /proc, in bytes; -1 when it cannot be read. */
    long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Output of {@code jcmd PID args...} (attaching starts the child's Attach Listener thread: do it sparingly). */
    String jcmd(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        cmd.add(String.valueOf(pid()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try {
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                p.waitFor(60, TimeUnit.SECONDS);
                return out;
            } finally {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            return "(jcmd failed: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    /** Log lines containing {@code text}. */
    long logCount(String text) {
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> l.contains(text)).count();
        } catch (IOException e) {
            return 0;
        }
    }

    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
