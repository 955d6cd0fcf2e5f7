"""PDF documents (reportlab): shared fonts and layout, then one module per document."""
