# Nix derivation, for `callPackage`: `nix-build packaging/nix` builds it from
# this checkout with the default.nix beside it. The man pages and completions
# are the committed output of `mailcred generate-assets` (packaging/assets/),
# the same files every other package installs. See packaging/README.md.
{
  lib,
  rustPlatform,
  installShellFiles,
}:

rustPlatform.buildRustPackage {
  pname = "mailcred";
  version = "0.1.0";

  src = lib.cleanSource ../..;
  cargoLock.lockFile = ../../Cargo.lock;

  # mailcred runs three companions, each its own crate's binary:
  # mailcred-smtp (mailcred-lettre) for `test` and `send`, mailcred-oauth for
  # OAuth2 sign-in and token refresh, mailcred-openbao for the openbao store;
  # cargoInstallHook installs the binaries of all four into $out/bin.
  cargoBuildFlags = [ "-p" "mailcred" "-p" "mailcred-lettre" "-p" "mailcred-oauth" "-p" "mailcred-openbao" ];
  # Unit and protocol tests run on an in-memory store: no keyring needed.
  cargoTestFlags = [ "-p" "mailcred" "-p" "mailcred-lettre" "-p" "mailcred-oauth" "-p" "mailcred-openbao" ];

  # D-Bus is spoken by zbus, in Rust: no libdbus to build or link against.
  nativeBuildInputs = [ installShellFiles ];

  postInstall = ''
    installManPage packaging/assets/man/*.1
    installShellCompletion --bash packaging/assets/completions/bash/*
    installShellCompletion --zsh packaging/assets/completions/zsh/*
    installShellCompletion --fish packaging/assets/completions/fish/*
    install -Dm644 -t $out/share/doc/mailcred README.md CHANGELOG.md
    install -Dm644 -t $out/share/licenses/mailcred LICENSE-MIT LICENSE-APACHE
  '';

  meta = {
    description = "Keeps mail app passwords in the OS keyring for git send-email, msmtp and neomutt";
    homepage = "https://example.invalid/mailcred";
    license = with lib.licenses; [ mit asl20 ];
    mainProgram = "mailcred";
    platforms = lib.platforms.linux ++ lib.platforms.darwin;
  };
}
