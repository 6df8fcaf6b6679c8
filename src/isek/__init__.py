"""isek: integrated urban development concepts (ISEK) for German cities."""

__version__ = "0.1.0"
