package dev.tagstream.serde;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In-process registries addressed as {@code mock://SCOPE}, as Confluent's serde does: every serde configured
 * with the same scope, in the same JVM, sees the same schemas. This is the one process-wide table in the code
 * base, and deliberately so: Kafka instantiates serdes from class names, so a test's serializer and the
 * application's deserializer can only meet through the scope name. Tests drop their scope when done.
 */
public final class MockSchemaRegistry {
    private static final Map<String, InMemorySchemaRegistry> SCOPES = new ConcurrentHashMap<>();

    private MockSchemaRegistry() {}

    public static InMemorySchemaRegistry scope(String scope) {
        return SCOPES.computeIfAbsent(scope, s -> new InMemorySchemaRegistry());
    }

    public static void dropScope(String scope) {
        SCOPES.remove(scope);
    }
}
