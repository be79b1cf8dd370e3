package io.wirefly.server;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds {@link SSLContext}s from the files operators have: a PEM certificate chain and PKCS#8 private key (what
 * certbot writes as {@code fullchain.pem} and {@code privkey.pem}), a PKCS#12 keystore, or PEM certificates to trust
 * (a self-signed server's certificate, a private CA). JDK only; the errors name the file and what is wrong with it.
 *
 * <pre>{@code
 * SSLContext server = TlsContexts.fromPem(Path.of("fullchain.pem"), Path.of("privkey.pem"));
 * WebSocketServer.builder().port(9443).tls(server).route("/echo", handler).build().start();
 *
 * SSLContext client = TlsContexts.trusting(Path.of("ca.pem"));   // for a client or java.net.http.HttpClient
 * }</pre>
 */
public final class TlsContexts {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    private static final char[] NO_PASSWORD = new char[0];

    private TlsContexts() {
    }

    /**
     * A server context from PEM files.
     *
     * @param certificateChain the server's certificate first, then the intermediates ({@code fullchain.pem})
     * @param privateKey the key, unencrypted PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}), RSA, EC or Ed25519
     * @return an initialised TLS context
     * @throws IOException if a file cannot be read or does not hold what it should
     */
    public static SSLContext fromPem(Path certificateChain, Path privateKey) throws IOException {
        List<Certificate> chain = certificates(certificateChain);
        PrivateKey key = privateKey(privateKey);
        if (!matches(key, chain.get(0))) {
            throw new IOException("the key in " + privateKey + " does not go with the certificate in "
                    + certificateChain + " (the first certificate must be the server's own)");
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, NO_PASSWORD, chain.toArray(new Certificate[0]));
            return withKeys(store, NO_PASSWORD);
        } catch (GeneralSecurityException e) {
            throw new IOException("the key in " + privateKey + " does not go with the certificate in "
                    + certificateChain + ": " + e.getMessage(), e);
        }
    }

    /**
     * A server context from a PKCS#12 keystore holding one key entry and its chain.
     *
     * @param keystore the {@code .p12} / {@code .pfx} file
     * @param password its password (also the key's)
     * @return an initialised TLS context
     * @throws IOException if the file cannot be read or the password is wrong
     */
    public static SSLContext fromPkcs12(Path keystore, char[] password) throws IOException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                store.load(in, password);
            }
            return withKeys(store, password);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the keystore " + keystore + ": " + e.getMessage(), e);
        }
    }

    /**
     * A client context that trusts only the given certificates (and checks the server's name against them, as a
     * browser would).
     *
     * @param pemCertificates one or more PEM certificates: a self-signed server's own, or a CA's
     * @return an initialised TLS context
     * @throws IOException if the file cannot be read or holds no certificate
     */
    public static SSLContext trusting(Path pemCertificates) throws IOException {
        List<Certificate> certs = certificates(pemCertificates);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < certs.size(); i++) {
                store.setCertificateEntry("trusted-" + i, certs.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot trust the certificates in " + pemCertificates + ": " + e.getMessage(), e);
        }
    }

    /** @return false if a signature by {@code key} does not verify with the certificate's public key */
    private static boolean matches(PrivateKey key, Certificate cert) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return true;   // no cheap check for this type: the handshake will tell
        }
        try {
            byte[] probe = "wirefly key check".getBytes(StandardCharsets.US_ASCII);
            java.security.Signature signer = java.security.Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;   // a key of one type and a certificate of another
        }
    }

    private static SSLContext withKeys(KeyStore store, char[] password) throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }

    private static List<Certificate> certificates(Path file) throws IOException {
        List<Certificate> certs = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (byte[] der : blocks(file, "CERTIFICATE")) {
                Collection<? extends Certificate> one = factory.generateCertificates(new ByteArrayInputStream(der));
                certs.addAll(one);
            }
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " holds a certificate that cannot be read: " + e.getMessage(), e);
        }
        if (certs.isEmpty()) {
            throw new IOException(file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return certs;
    }

    private static PrivateKey privateKey(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.ISO_8859_1);
        if (text.contains("-----BEGIN RSA PRIVATE KEY-----") || text.contains("-----BEGIN EC PRIVATE KEY-----")) {
            throw new IOException(file + " holds a PKCS#1/SEC1 key; convert it to PKCS#8 with "
                    + "'openssl pkcs8 -topk8 -nocrypt -in " + file.getFileName() + " -out key-pkcs8.pem'");
        }
        if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new IOException(file + " holds an encrypted key; decrypt it with "
                    + "'openssl pkcs8 -nocrypt -in " + file.getFileName() + " -out key-pkcs8.pem'");
        }
        List<byte[]> keys = blocks(file, "PRIVATE KEY");
        if (keys.size() != 1) {
            throw new IOException(file + " holds " + keys.size() + " PEM private keys (-----BEGIN PRIVATE KEY-----);"
                    + " one was expected");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(keys.get(0));
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "RSASSA-PSS", "Ed448"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException wrongType) {
                // try the next
            }
        }
        throw new IOException(file + " holds a private key of an unsupported type (RSA, EC, Ed25519 are)");
    }

    private static List<byte[]> blocks(Path file, String type) throws IOException {
        String text = Files.readString(file, StandardCharsets.ISO_8859_1);
        List<byte[]> out = new ArrayList<>();
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(type)) {
                try {
                    out.add(Base64.getMimeDecoder().decode(m.group(2)));
                } catch (IllegalArgumentException e) {
                    throw new IOException(file + " holds a " + type + " block that is not Base64", e);
                }
            }
        }
        return out;
    }
}
