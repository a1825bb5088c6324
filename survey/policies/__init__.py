"""Policies (politik, strategi): their focus areas and goals. A policy is data, loaded from YAML files."""

from survey.policies.changes import describe_change

__all__ = ["describe_change"]
