# Homebrew formula: `brew install --build-from-source ./packaging/homebrew/mailcred.rb`
# (or copy it into a tap). The man pages and completions are the committed
# output of `mailcred generate-assets` (packaging/assets/), the same files
# every other package installs; Homebrew copies README.md, CHANGELOG.md and
# the LICENSE files into the keg by itself. See packaging/README.md.
class Mailcred < Formula
  desc "Keeps mail app passwords in the OS keyring for git send-email, msmtp and neomutt"
  homepage "https://example.invalid/mailcred"
  # placeholder URL and checksum: packaging/release writes the real ones
  url "https://example.invalid/mailcred/releases/download/v0.1.0/mailcred-0.1.0.tar.gz"
  sha256 "0000000000000000000000000000000000000000000000000000000000000000"
  license any_of: ["MIT", "Apache-2.0"]

  depends_on "rust" => :build

  # The Secret Service is reached over the session bus of the desktop; the
  # binaries speak D-Bus in Rust (zbus) and link no libdbus.

  def install
    system "cargo", "install", *std_cargo_args(path: "helper")
    # mailcred-smtp, which `mailcred test` and `mailcred send` run.
    system "cargo", "install", *std_cargo_args(path: "plugin")
    # mailcred-oauth, which mailcred runs to sign in and refresh OAuth2 tokens.
    system "cargo", "install", *std_cargo_args(path: "oauth")
    # mailcred-openbao, which mailcred runs to reach an OpenBao or Vault server.
    system "cargo", "install", *std_cargo_args(path: "openbao")
    man1.install Dir["packaging/assets/man/*.1"]
    bash_completion.install Dir["packaging/assets/completions/bash/*"]
    zsh_completion.install Dir["packaging/assets/completions/zsh/*"]
    fish_completion.install Dir["packaging/assets/completions/fish/*"]
  end

  def caveats
    <<~EOS
      To let git use mailcred for its credentials (git send-email included):
        git config --global credential.helper mailcred
    EOS
  end

  test do
    assert_match version.to_s, shell_output("#{bin}/mailcred --version")
    assert_equal "version 0\ncapability authtype\n",
                 pipe_output("#{bin}/git-credential-mailcred capability", "")
    assert_match version.to_s, shell_output("#{bin}/mailcred-smtp --version")
    assert_match version.to_s, shell_output("#{bin}/mailcred-oauth --version")
    assert_match version.to_s, shell_output("#{bin}/mailcred-openbao --version")
  end
end
