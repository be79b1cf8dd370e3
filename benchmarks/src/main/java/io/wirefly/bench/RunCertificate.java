package io.wirefly.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway TLS identity for one benchmark run, made with the JDK's keytool (no other tool needed): an EC P-256 key
 * and a self-signed certificate for {@code localhost} and 127.0.0.1, valid two days, in a PKCS#12 key store (password
 * {@code changeit}), with the certificate also as PEM for clients to trust. It lives in a temporary directory that is
 * deleted when the JVM exits: a private key is never written under {@code results/}.
 *
 * <pre>{@code
 * RunCertificate run = RunCertificate.make();
 * SSLContext server = TlsContexts.fromPkcs12(run.keystore(), RunCertificate.PASSWORD.toCharArray());
 * SSLContext client = TlsContexts.trusting(run.certificate());
 * }</pre>
 *
 * @param keystore the PKCS#12 key store
 * @param certificate the certificate, PEM
 */
public record RunCertificate(Path keystore, Path certificate) {
    /** The key store's password. */
    public static final String PASSWORD = "changeit";

    /**
     * @return a new identity in a new temporary directory
     * @throws IOException if keytool fails
     */
    public static RunCertificate make() throws IOException {
        Path dir = Files.createTempDirectory("wirefly-bench-tls");
        RunCertificate run = new RunCertificate(dir.resolve("server.p12"), dir.resolve("server.pem"));
        dir.toFile().deleteOnExit();   // deleted last: registered first
        run.keystore.toFile().deleteOnExit();
        run.certificate.toFile().deleteOnExit();
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        keytool(List.of(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore",
                run.keystore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD));
        keytool(List.of(keytool, "-exportcert", "-rfc", "-alias", "server", "-keystore", run.keystore.toString(),
                "-storepass", PASSWORD, "-file", run.certificate.toString()));
        return run;
    }

    private static void keytool(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("keytool failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
