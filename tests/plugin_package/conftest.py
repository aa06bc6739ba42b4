# This folder is a package to install, not tests: its modules are imported only once installed.
collect_ignore = ["src"]
