//! Shared fixtures for the end-to-end tests: the built binaries, a private
//! headless Secret Service, temporary homes.
