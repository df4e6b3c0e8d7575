"""The command-line tools an operator uses."""

from sqlalchemy import func, select

from backoffice.extensions import db
from models import Company, Invoice, User
from tests import factories

from .conftest import login


def test_create_user_makes_a_login_that_works(app, company, db_session):
    db_session.commit()
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--email",
            "New.Clerk@Example.com",
            "--role",
            "support",
            "--company",
            company.name,
            "--password",
            "a long enough password",
        ],
    )
    assert result.exit_code == 0, result.output
    user = db_session.scalars(select(User).where(User.email == "new.clerk@example.com")).one()
    assert user.role == "support" and [c.id for c in user.companies] == [company.id]
    assert user.password_hash.startswith("$argon2id$")
    client = app.test_client()

    assert login(client, "new.clerk@example.com", "a long enough password").status_code == 302


def test_create_user_refuses_bad_input_clearly(app, db_session):
    runner = app.test_cli_runner()
    short = runner.invoke(
        args=["create-user", "--email", "x@example.com", "--role", "finance", "--password", "short"]
    )
    assert short.exit_code != 0 and "at least 10 characters" in short.output
    role = runner.invoke(
        args=[
            "create-user",
            "--email",
            "x@example.com",
            "--role",
            "boss",
            "--password",
            "long enough pw",
        ]
    )
    assert role.exit_code != 0 and "boss" in role.output
    company = runner.invoke(
        args=[
            "create-user",
            "--email",
            "x@example.com",
            "--role",
            "finance",
            "--company",
            "Nope Ltd",
            "--password",
            "long enough pw",
        ]
    )
    assert company.exit_code != 0 and "No company named 'Nope Ltd'" in company.output
    assert db_session.scalar(select(User).where(User.email == "x@example.com")) is None


def test_create_user_refuses_a_duplicate_email(app, db_session, company):
    factories.make_user(db_session, "finance", companies=[company], email="taken@example.com")
    db_session.commit()
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--email",
            "TAKEN@example.com",
            "--role",
            "admin",
            "--password",
            "long enough pw",
        ]
    )
    assert result.exit_code != 0 and "already exists" in result.output


def test_seed_demo_runs_once_and_prints_the_logins(app, db_session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "finance@example.com / finance-demo-2026" in first.output
    counts = dict(
        db_session.execute(select(Invoice.status, func.count()).group_by(Invoice.status)).all()
    )
    assert set(counts) == {"draft", "issued", "sent", "partially_paid", "paid", "void"}
    assert sum(counts.values()) >= 300
    assert len(set(db_session.scalars(select(Invoice.currency)))) >= 3
    for args in (["seed-demo", "--if-empty"], ["seed-demo"]):
        again = runner.invoke(args=args)
        assert again.exit_code == 0 and "already present" in again.output, again.output
    assert db_session.scalar(select(func.count()).select_from(Company)) == 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invoice)) == sum(counts.values())
