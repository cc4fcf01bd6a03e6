package org.communityguard.edge.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Resolved, validated settings. Built once at start-up from an optional YAML file and the
 * environment; every problem is reported at once, each naming its key.
 */
public final class Config {

    private final Map<String, Object> values;

    private Config(Map<String, Object> values) {
        this.values = values;
    }

    public <T> T get(Setting<T> setting) {
        @SuppressWarnings("unchecked")
        T value = (T) values.get(setting.key());
        if (value == null && !values.containsKey(setting.key())) {
            throw new IllegalArgumentException("setting " + setting.key() + " was not declared in EdgeSettings.ALL");
        }
        return value;
    }

    /** Settings from {@code yamlFile} (may be null) overridden by {@code env}. */
    public static Config load(List<Setting<?>> settings, Path yamlFile, Map<String, String> env) {
        Map<String, String> fromFile = yamlFile == null ? Map.of() : readYaml(yamlFile);
        List<String> errors = new ArrayList<>();
        Map<String, Object> values = new HashMap<>();
        Map<String, Setting<?>> byKey = new HashMap<>();
        for (Setting<?> s : settings) {
            byKey.put(s.key(), s);
        }
        for (String key : fromFile.keySet()) {
            if (!byKey.containsKey(key)) {
                errors.add(yamlFile + ": unknown setting '" + key + "' (see docs/configuration.md)");
            }
        }
        for (Setting<?> s : settings) {
            String text = env.get(s.envName());
            String source = s.envName();
            if (text == null) {
                text = fromFile.get(s.key());
                source = s.key() + " in " + yamlFile;
            }
            if (text == null) {
                values.put(s.key(), s.defaultValue());
                continue;
            }
            try {
                values.put(s.key(), s.type().parse(text));
            } catch (IllegalArgumentException e) {
                errors.add(source + ": " + e.getMessage() + " (" + s.description() + "; allowed: " + s.type().range() + ")");
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException("invalid configuration:\n  " + String.join("\n  ", errors));
        }
        return new Config(values);
    }

    private static Map<String, String> readYaml(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage());
        }
        Map<String, String> flat = new TreeMap<>();
        if (root != null && !root.isMissingNode() && !root.isNull()) {
            if (!root.isObject()) {
                throw new ConfigException(file + ": expected a map of settings at the top level");
            }
            flatten("", root, flat);
        }
        return flat;
    }

    // Nested YAML (http: {port: 8080}) and dotted keys (http.port: 8080) mean the same.
    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            var e = it.next();
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue().isObject()) {
                flatten(key, e.getValue(), out);
            } else {
                out.put(key, e.getValue().isNull() ? "" : e.getValue().asText());
            }
        }
    }

    /** The configuration reference table for docs/configuration.md. */
    public static String markdownTable(List<Setting<?>> settings) {
        StringBuilder sb = new StringBuilder();
        sb.append("| key | environment | default | allowed | meaning |\n");
        sb.append("| --- | --- | --- | --- | --- |\n");
        for (Setting<?> s : settings) {
            sb.append("| `").append(s.key()).append("` | `").append(s.envName()).append("` | ")
                    .append(formatDefault(s)).append(" | ").append(s.type().range().replace("|", "\\|"))
                    .append(" | ").append(s.description()).append(" |\n");
        }
        return sb.toString();
    }

    private static <T> String formatDefault(Setting<T> s) {
        String text = s.defaultValue() == null ? "" : s.type().format(s.defaultValue());
        return text.isEmpty() ? "(none)" : "`" + text + "`";
    }
}
