package io.promptq.http;

/** One readiness check, e.g. "the broker is reachable". Must return quickly and never throw. */
@FunctionalInterface
public interface HealthCheck {

    Result check();

    /** Outcome of a check: up or down, with a short human-readable detail. */
    record Result(boolean up, String detail) {
        public static Result up(String detail) {
            return new Result(true, detail);
        }

        public static Result down(String detail) {
            return new Result(false, detail);
        }
    }
}
