package io.promptq.testkit;

/** A child JVM for {@link JvmProcessTest}: says it is ready, notes when its shutdown hook runs, sleeps. */
public final class SleeperMain {

    private SleeperMain() {}

    public static void main(String[] args) throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("shutdown hook ran")));
        System.out.println("ready " + System.getenv("SLEEPER_GREETING") + " " + String.join(" ", args));
        if (args.length > 0 && args[0].equals("exit")) {
            System.exit(3);
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
