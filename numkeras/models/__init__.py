"""Models: `Sequential`, and the Model base it trains with."""

from .model import Model as Model
from .sequential import Sequential as Sequential
