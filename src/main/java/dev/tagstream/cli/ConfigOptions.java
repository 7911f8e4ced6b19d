package dev.tagstream.cli;

import dev.tagstream.config.Settings;
import dev.tagstream.config.SettingsLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --config FILE} and {@code --set key=value}, shared by every command that talks to Kafka. */
final class ConfigOptions {
    static final Path DEFAULT_FILE = Path.of("config", "tagstream.properties");

    @Option(names = "--config", paramLabel = "FILE",
            description = "Settings file (default: config/tagstream.properties when it exists).")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override one setting; repeatable. Wins over the file and the environment.")
    List<String> sets = new ArrayList<>();

    Settings load(Map<String, String> env, List<String> extra) {
        Path file = config != null ? config : (Files.isRegularFile(DEFAULT_FILE) ? DEFAULT_FILE : null);
        List<String> all = new ArrayList<>(extra);
        all.addAll(sets);
        return SettingsLoader.load(file, env, all);
    }
}
