"""Configuration files (pipelines, experiments, pretraining): read safely, validated, resolved.

Examples
--------
>>> from textpipe.config import load_config
>>> cfg = load_config({"steps": ["tokenize", "tfidf", "logreg"]})
>>> cfg.to_dict()["steps"][2]["logreg"]["max_iter"]
1000
"""

from .reader import read_document, split_step
from .resolve import ConfigErrors, PipelineConfig, Step, load_config, load_pipeline, to_plain
from .schema import DataConfig, EvaluationConfig
from .yamlio import LineMap, Source, parse_yaml, read_source, read_yaml

__all__ = [
    "ConfigErrors",
    "DataConfig",
    "EvaluationConfig",
    "LineMap",
    "PipelineConfig",
    "Source",
    "Step",
    "split_step",
    "load_config",
    "load_pipeline",
    "parse_yaml",
    "read_document",
    "read_source",
    "read_yaml",
    "to_plain",
]
