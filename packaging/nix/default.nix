# `nix-build packaging/nix`: mailcred from this checkout with the nixpkgs on NIX_PATH.
{ pkgs ? import <nixpkgs> { } }:
pkgs.callPackage ./package.nix { }
