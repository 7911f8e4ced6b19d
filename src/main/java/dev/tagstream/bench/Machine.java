package dev.tagstream.bench;

import ai.onnxruntime.OrtEnvironment;
import java.util.LinkedHashMap;
import java.util.Map;

/** Facts about the machine a benchmark ran on, for results.json. */
final class Machine {
    private Machine() {}

    static Map<String, Object> facts(String provider) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("max_heap_mb", Runtime.getRuntime().maxMemory() / (1 << 20));
        m.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        String ort;
        try {
            ort = OrtEnvironment.getEnvironment().getVersion();
        } catch (RuntimeException | LinkageError e) {
            ort = "unavailable: " + e.getMessage();
        }
        m.put("onnxruntime", ort);
        m.put("provider", provider);
        m.put("gpu", "none measured (CPU provider only)");
        return m;
    }
}
