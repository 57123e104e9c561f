"""Models: `Sequential`, the Model base it trains with, and loading."""

from ..saving import load_model as load_model
from ..saving import model_from_json as model_from_json
from ..saving import save_model as save_model
from .model import Model as Model
from .sequential import Sequential as Sequential
