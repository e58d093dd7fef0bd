/// The release, printed by `permanenced --version` and used by `scripts/package` for the .deb's version:
/// the one place it is written.
let permanencedVersion = "0.9.0"
