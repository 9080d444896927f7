package io.promptq.local;

/** Helper JVM for {@link LocalSchemaRegistryIT}: starts a registry, prints its pid and port, waits to be killed. */
public final class RegistryHolderMain {

    static final String READY = "REGISTRY-READY";

    private RegistryHolderMain() {
    }

    public static void main(String[] args) throws Exception {
        LocalSchemaRegistry registry = LocalSchemaRegistry.start();
        System.out.println(READY + " " + registry.process().pid() + " " + registry.port() + " " + registry.logFile().getParent());
        System.out.flush();
        Thread.sleep(120_000);
        registry.close();
    }
}
