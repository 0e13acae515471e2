//! How to make an app password at each provider, as the provider's own help
//! pages walk through it: `mailcred add` prints these as numbered steps on
//! a terminal, and offers to open [`Guide::page`] in the browser.
//!
//! Kept apart from the warnings ([`Guide::warnings`]), which `add` prints
//! even with `--password-stdin`: steps are for a person at a terminal,
//! warnings for anyone.

use super::{Protocol, Provider};

/// A provider's app-password walkthrough.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guide {
    /// The page where the app password is made.
    pub page: &'static str,
    /// The steps up to the password on screen, in order.
    pub steps: &'static [&'static str],
    /// A step for turning POP on, for providers that keep it off (`--pop`).
    pub pop_step: Option<&'static str>,
    /// Things to know later, shown after the steps.
    pub notes: &'static [&'static str],
}

/// The last step everywhere: the provider shows the password once.
pub const PASTE_NOW: &str = "The password is shown only once: copy it and paste it at the \
     prompt below now (nothing is echoed), then once more to confirm. If it is lost, make a \
     new one and run `mailcred set-password`.";

/// The name to give the password: any name works; this one tells the user
/// later which program holds it.
pub const PASSWORD_NAME: &str = "mailcred";

impl Guide {
    /// The numbered lines `add` prints, without the numbers: the steps, the
    /// POP step when `pop`, then [`PASTE_NOW`].
    pub fn lines(&self, pop: bool) -> Vec<&'static str> {
        let mut lines = self.steps.to_vec();
        if pop && let Some(step) = self.pop_step {
            lines.push(step);
        }
        lines.push(PASTE_NOW);
        lines
    }
}

impl Provider {
    /// How to make the app password, or `None` for `custom` (whose server
    /// mailcred knows nothing about) and `outlook` (refused).
    pub const fn guide(self) -> Option<Guide> {
        let guide = match self {
            Self::Office365 => Guide {
                page: "https://mysignins.microsoft.com/security-info",
                steps: &[
                    "Sign in at https://mysignins.microsoft.com/security-info with your work or \
                     school account.",
                    "Choose \"Add sign-in method\", then \"App password\". It is offered only \
                     when your account uses per-user MFA and your admin allows app passwords.",
                    "Name it \"mailcred\" and choose Next.",
                ],
                pop_step: None,
                notes: &[],
            },
            Self::Gmail => Guide {
                page: "https://myaccount.google.com/apppasswords",
                steps: &[
                    "Sign in at https://myaccount.google.com. App passwords need 2-Step \
                     Verification: turn it on under Security first if it is off.",
                    "Open the app-password page, https://myaccount.google.com/apppasswords.",
                    "Type the app name \"mailcred\" and choose Create.",
                ],
                pop_step: Some(
                    "POP is off until you turn it on: in Gmail, Settings > See all settings > \
                     Forwarding and POP/IMAP > Enable POP.",
                ),
                notes: &[
                    "Changing your Google password revokes every app password: make a new one \
                     then and run `mailcred set-password`.",
                ],
            },
            Self::Icloud => Guide {
                page: "https://account.apple.com",
                steps: &[
                    "Sign in at https://account.apple.com (two-factor authentication must be on).",
                    "Open Sign-In and Security > App-Specific Passwords.",
                    "Choose \"Generate an app-specific password\" and name it \"mailcred\".",
                ],
                pop_step: None,
                notes: &[
                    "iCloud's IMAP takes your full address as the login; should it refuse it, \
                     add the account again with --imap-login set to the name before \
                     @icloud.com.",
                ],
            },
            Self::Fastmail => Guide {
                page: "https://app.fastmail.com/settings/security",
                steps: &[
                    "Sign in at https://app.fastmail.com and open Settings > Privacy & Security.",
                    "Under app passwords (\"Manage app passwords and access\"), choose \"New app \
                     password\".",
                    "Name it \"mailcred\" and give it access to mail: IMAP, POP and SMTP.",
                ],
                pop_step: None,
                notes: &[],
            },
            Self::Yahoo => Guide {
                page: "https://login.yahoo.com/account/security",
                steps: &[
                    "Sign in at https://login.yahoo.com/account/security.",
                    "Choose \"Generate app password\" (or \"Generate and manage app \
                     passwords\").",
                    "Name it \"mailcred\" and choose \"Generate password\".",
                ],
                pop_step: None,
                notes: &[
                    "Yahoo's generation is known to fail at times: if the password is refused, \
                     generate a new one and run `mailcred set-password`.",
                ],
            },
            Self::Zoho => Guide {
                page: "https://accounts.zoho.com/home#security/app_password",
                steps: &[
                    "Sign in at https://accounts.zoho.com (app passwords need two-factor \
                     authentication) and open Security > App Passwords.",
                    "Choose \"Generate New Password\" and name it \"mailcred\".",
                ],
                pop_step: Some("In Zoho Mail, Settings > Mail Accounts: turn POP Access on."),
                notes: &[
                    "Accounts hosted in the EU or India use zoho.eu or zoho.in servers: give \
                     --host, --imap-host (and --pop-host) then.",
                ],
            },
            Self::Outlook | Self::Custom => return None,
        };
        Some(guide)
    }

    /// What `add` must say even when it asks nothing (`--password-stdin`):
    /// endpoints the app password cannot sign in to, deadlines that end it.
    pub fn warnings(self, protocols: &[Protocol]) -> Vec<String> {
        let mut warnings: Vec<String> = protocols
            .iter()
            .filter_map(|&p| {
                self.oauth_only(p).map(|why| {
                    format!(
                        "the {} endpoint is recorded, but only SMTP works with the app password: \
                         {why}",
                        p.name().to_ascii_uppercase()
                    )
                })
            })
            .collect();
        if self == Self::Office365 && protocols.contains(&Protocol::Smtp) {
            warnings.push(
                "Microsoft turns SMTP AUTH off by default for existing tenants at the end of \
                 December 2026 (admins can turn it on again); the server then answers 535 5.7.139"
                    .into(),
            );
        }
        warnings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_provider_that_takes_app_passwords_has_a_guide_ending_in_paste_now() {
        for provider in Provider::ALL {
            let Some(guide) = provider.guide() else {
                assert!(
                    matches!(provider, Provider::Custom | Provider::Outlook),
                    "{provider:?} needs a guide"
                );
                continue;
            };
            let lines = guide.lines(true);
            assert_eq!(lines.last(), Some(&PASTE_NOW), "{provider:?}");
            assert!(
                lines.iter().any(|l| l.contains(PASSWORD_NAME)),
                "{provider:?}'s guide says what to name the password"
            );
            assert!(
                lines[0].contains("https://"),
                "{provider:?}'s first step says where to sign in"
            );
            assert!(guide.page.starts_with("https://"), "{provider:?}");
        }
    }

    #[test]
    fn office365_warns_that_its_readers_need_oauth() {
        let warnings = Provider::Office365.warnings(&[Protocol::Smtp, Protocol::Imap]);
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("IMAP") && w.contains("OAuth")),
            "{warnings:?}"
        );
        assert!(Provider::Gmail.warnings(&Protocol::ALL).is_empty());
    }
}
