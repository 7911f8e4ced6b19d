package dev.tagstream.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Just enough of a Dockerfile parser for static checks: instructions (continuation lines joined, comments dropped),
 * stages, COPY sources and targets, ENV, and exec-form ENTRYPOINT/CMD/HEALTHCHECK. No engine is involved.
 */
record Dockerfile(List<Instruction> instructions) {
    record Instruction(String keyword, String args, int stage) {}

    record Stage(int index, String image, String name) {}

    record Copy(Optional<String> from, List<String> sources, String target, int stage) {}

    static Dockerfile parse(String text) {
        List<Instruction> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int stage = -1;
        for (String raw : text.split("\n", -1)) {
            String line = raw.strip();
            if (current.length() == 0 && (line.isEmpty() || line.startsWith("#"))) {
                continue;
            }
            if (current.length() > 0 && line.startsWith("#")) {
                continue;
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            current.append(line);
            String full = current.toString().strip();
            current.setLength(0);
            int sp = full.indexOf(' ');
            String keyword = (sp < 0 ? full : full.substring(0, sp)).toUpperCase(Locale.ROOT);
            String args = sp < 0 ? "" : full.substring(sp + 1).strip();
            if (keyword.equals("FROM")) {
                stage++;
            }
            out.add(new Instruction(keyword, args, stage));
        }
        if (current.length() > 0) {
            throw new IllegalArgumentException("Dockerfile ends inside a continued line");
        }
        return new Dockerfile(List.copyOf(out));
    }

    static Dockerfile load(String relative) {
        return parse(DeployFiles.read(relative));
    }

    List<Instruction> all(String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    List<Instruction> inStage(int stage, String keyword) {
        return all(keyword).stream().filter(i -> i.stage() == stage).toList();
    }

    List<Stage> stages() {
        List<Stage> out = new ArrayList<>();
        for (Instruction i : all("FROM")) {
            String[] words = i.args().split("\\s+");
            String name = words.length >= 3 && words[1].equalsIgnoreCase("AS") ? words[2] : null;
            out.add(new Stage(i.stage(), words[0], name));
        }
        return out;
    }

    int lastStage() {
        return stages().size() - 1;
    }

    List<Copy> copies() {
        List<Copy> out = new ArrayList<>();
        for (Instruction i : instructions) {
            if (!i.keyword().equals("COPY") && !i.keyword().equals("ADD")) {
                continue;
            }
            List<String> words = new ArrayList<>(List.of(i.args().split("\\s+")));
            Optional<String> from = Optional.empty();
            while (!words.isEmpty() && words.get(0).startsWith("--")) {
                String flag = words.remove(0);
                if (flag.startsWith("--from=")) {
                    from = Optional.of(flag.substring("--from=".length()));
                }
            }
            if (words.size() < 2) {
                throw new IllegalArgumentException("COPY needs a source and a target: " + i.args());
            }
            out.add(new Copy(from, List.copyOf(words.subList(0, words.size() - 1)), words.get(words.size() - 1),
                    i.stage()));
        }
        return out;
    }

    /** ENV of the final stage, in order; both {@code ENV k=v k2="v 2"} and the legacy {@code ENV k v}. */
    Map<String, String> env() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Instruction i : inStage(lastStage(), "ENV")) {
            String a = i.args();
            if (!a.contains("=") || a.indexOf(' ') < a.indexOf('=')) {
                int sp = a.indexOf(' ');
                out.put(a.substring(0, sp), a.substring(sp + 1).strip());
                continue;
            }
            int pos = 0;
            while (pos < a.length()) {
                while (pos < a.length() && a.charAt(pos) == ' ') {
                    pos++;
                }
                if (pos >= a.length()) {
                    break;
                }
                int eq = a.indexOf('=', pos);
                String key = a.substring(pos, eq);
                pos = eq + 1;
                StringBuilder value = new StringBuilder();
                if (pos < a.length() && a.charAt(pos) == '"') {
                    int end = a.indexOf('"', pos + 1);
                    value.append(a, pos + 1, end);
                    pos = end + 1;
                } else {
                    while (pos < a.length() && a.charAt(pos) != ' ') {
                        value.append(a.charAt(pos++));
                    }
                }
                out.put(key, value.toString());
            }
        }
        return out;
    }

    /** An exec-form (JSON array) instruction of the final stage, or empty. */
    Optional<List<String>> execForm(String keyword) {
        List<Instruction> found = inStage(lastStage(), keyword);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(jsonArray(found.get(found.size() - 1).args()));
    }

    /** The command of HEALTHCHECK ... CMD [..] in the final stage. */
    Optional<List<String>> healthcheckCommand() {
        List<Instruction> found = inStage(lastStage(), "HEALTHCHECK");
        if (found.isEmpty()) {
            return Optional.empty();
        }
        String a = found.get(found.size() - 1).args();
        int cmd = a.indexOf("CMD ");
        return Optional.of(jsonArray(a.substring(cmd + 4).strip()));
    }

    static List<String> jsonArray(String s) {
        try {
            return new ObjectMapper().readValue(s, new TypeReference<List<String>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not an exec-form JSON array: " + s, e);
        }
    }

    /**
     * Whether .dockerignore lets {@code relative} into the build context: the last pattern that matches wins,
     * {@code !pattern} re-includes, a pattern naming a directory covers what is inside.
     */
    static boolean inBuildContext(Path root, String relative) {
        Path ignore = root.resolve(".dockerignore");
        if (!Files.isRegularFile(ignore)) {
            return true;
        }
        String path = trimSlashes(relative);
        boolean included = true;
        for (String raw : DeployFiles.read(".dockerignore").split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            boolean negate = line.startsWith("!");
            String pattern = trimSlashes(negate ? line.substring(1) : line);
            if (matches(pattern, path)) {
                included = negate;
            }
        }
        return included;
    }

    private static boolean matches(String pattern, String path) {
        if (pattern.equals("*")) {
            return true;
        }
        return path.equals(pattern) || path.startsWith(pattern + "/")
                || path.matches(pattern.replace(".", "\\.").replace("*", "[^/]*"));
    }

    private static String trimSlashes(String s) {
        String out = s.startsWith("./") ? s.substring(2) : s;
        while (out.startsWith("/")) {
            out = out.substring(1);
        }
        while (out.endsWith("/")) {
            out = out.substring(0, out.length() - 1);
        }
        return out;
    }
}
