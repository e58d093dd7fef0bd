import Testing

@testable import PermanenceCore

/// A secret named in the configuration is found in the same file by the daemon under systemd and by an
/// admin's command, without anyone writing its path twice.
@Suite struct CredentialsTests {
    let config = "/etc/permanenced/permanenced.toml"

    @Test func anAbsoluteNameIsTheFileItself() {
        #expect(Credentials.path("/srv/keys/k", configurationFile: config, environment: ["CREDENTIALS_DIRECTORY": "/run/c"]) == "/srv/keys/k")
    }

    @Test func underSystemdACredentialIsInTheCredentialsDirectory() {
        #expect(Credentials.path("permanenced_audit-key", configurationFile: config, environment: ["CREDENTIALS_DIRECTORY": "/run/credentials/permanenced.service"])
            == "/run/credentials/permanenced.service/permanenced_audit-key")
    }

    @Test func fromTheCommandLineItIsTheFileTheUnitLoadsItFrom() {
        #expect(Credentials.path("permanenced_audit-key", configurationFile: config, environment: [:]) == "/etc/permanenced/credentials/audit-key")
        #expect(Credentials.path("smtp-password", configurationFile: config, environment: ["CREDENTIALS_DIRECTORY": ""]) == "/etc/permanenced/credentials/smtp-password")
        #expect(Credentials.path("k", configurationFile: "permanenced.toml", environment: [:]) == "./credentials/k")
        #expect(Credentials.path("k", configurationFile: "/p.toml", environment: [:]) == "/credentials/k")
    }
}
