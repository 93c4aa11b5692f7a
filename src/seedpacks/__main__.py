from seedpacks.cli import app

app()
