"""Tests of a deployment: several app servers sharing one database and one rate-limit store."""
