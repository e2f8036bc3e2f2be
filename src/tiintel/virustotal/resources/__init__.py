"""VirusTotal resources: one file per endpoint family, each with its sync class and async twin."""
