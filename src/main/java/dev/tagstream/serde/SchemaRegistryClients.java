package dev.tagstream.serde;

import java.util.Map;

/** Chooses the registry client for a config: {@code mock://SCOPE} in-process, otherwise HTTP(S). */
public final class SchemaRegistryClients {
    private SchemaRegistryClients() {}

    public static SchemaRegistryClient create(Map<String, ?> configs) {
        RegistryClientConfig config = RegistryClientConfig.from(configs);
        if (config.isMock()) {
            String scope = config.urls().get(0).getSchemeSpecificPart().replaceFirst("^//", "");
            return MockSchemaRegistry.scope(scope);
        }
        return new HttpSchemaRegistryClient(config);
    }
}
