from dagster_designer_qt.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
