"""The graph canvas: scene (follows the model), view (zoom/pan/drop), items and gesture interactions."""
