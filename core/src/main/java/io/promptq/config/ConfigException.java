package io.promptq.config;

/** A configuration value is missing or invalid. The message names the key and the offending value. */
public class ConfigException extends RuntimeException {

    private final String key;

    public ConfigException(String key, String message) {
        super(key + ": " + message);
        this.key = key;
    }

    public static ConfigException invalid(String key, Object value, String expectation) {
        return new ConfigException(key, "invalid value '" + value + "', " + expectation);
    }

    /** The configuration key at fault. */
    public String key() {
        return key;
    }
}
