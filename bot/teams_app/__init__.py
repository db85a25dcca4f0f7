"""The Teams app package: manifest, localisation and icons."""
