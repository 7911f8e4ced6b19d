package dev.tagstream.serde;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * A registry held in memory: subjects with numbered versions and global ids, as the Confluent registry assigns
 * them (the same schema text gets the same id in every subject). Thread-safe. It serves {@code mock://} URLs and
 * backs the embedded HTTP registry of the demo; it does not check compatibility.
 */
public final class InMemorySchemaRegistry implements SchemaRegistryClient {
    private final Map<String, List<Integer>> versionsBySubject = new LinkedHashMap<>();
    private final List<Schema> schemasById = new ArrayList<>();
    private final Map<String, Integer> idByCanonicalText = new LinkedHashMap<>();

    @Override
    public synchronized int register(String subject, Schema schema) {
        int id = idByCanonicalText.computeIfAbsent(schema.toString(), text -> {
            schemasById.add(schema);
            return schemasById.size();
        });
        List<Integer> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
        if (!versions.contains(id)) {
            versions.add(id);
        }
        return id;
    }

    @Override
    public synchronized int idOf(String subject, Schema schema) {
        List<Integer> versions = versionsBySubject.get(subject);
        if (versions == null) {
            throw new RegistryException("Subject '" + subject + "' not found.", 404, 40401);
        }
        Integer id = idByCanonicalText.get(schema.toString());
        if (id == null || !versions.contains(id)) {
            throw new RegistryException("Schema not found under subject '" + subject + "'.", 404, 40403);
        }
        return id;
    }

    @Override
    public synchronized Schema schemaById(int id) {
        if (id < 1 || id > schemasById.size()) {
            throw new RegistryException("Schema " + id + " not found.", 404, 40403);
        }
        return schemasById.get(id - 1);
    }

    @Override
    public synchronized RegisteredSchema latest(String subject) {
        return version(subject, -1);
    }

    /** Version {@code version} (1-based) of {@code subject}, or the latest for -1. */
    public synchronized RegisteredSchema version(String subject, int version) {
        List<Integer> versions = versionsBySubject.get(subject);
        if (versions == null || versions.isEmpty()) {
            throw new RegistryException("Subject '" + subject + "' not found.", 404, 40401);
        }
        int v = version == -1 ? versions.size() : version;
        if (v < 1 || v > versions.size()) {
            throw new RegistryException("Version " + version + " not found.", 404, 40402);
        }
        int id = versions.get(v - 1);
        return new RegisteredSchema(id, v, schemasById.get(id - 1));
    }

    /** The version number {@code id} has under {@code subject}. */
    public synchronized int versionOf(String subject, int id) {
        List<Integer> versions = versionsBySubject.get(subject);
        return versions == null ? -1 : versions.indexOf(id) + 1;
    }

    @Override
    public synchronized List<String> subjects() {
        return List.copyOf(versionsBySubject.keySet());
    }
}
