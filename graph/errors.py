"""Exceptions raised by the library; the CLI turns them into ``Error: <message>``."""


class GraphError(Exception):
    """Base class: a whole-run problem the user can fix, with a message saying how."""


class ModelNotFound(GraphError):
    """The chosen spaCy pipeline is neither installed nor a model folder."""


class NoDocuments(GraphError):
    """Nothing usable was found in the inputs."""


class OutputError(GraphError):
    """The output folder cannot be created or written."""


class OutputLocked(OutputError):
    """Another run is writing into the same output folder."""


class SkippedInputs(GraphError):
    """Strict mode is on and some inputs could not be read."""


class BadSettings(GraphError):
    """A setting has a value the pipeline cannot use."""


class ClusterError(GraphError):
    """The Dask scheduler cannot be reached, or its workers cannot run the job."""
