"""A Flask (WSGI) application as a Lambda function, through apig-wsgi.

The application is ordinary Flask: it runs unchanged under ``flask run``. ``handler`` is
the function's entry point: apig-wsgi turns an API Gateway or function URL event (payload
format 1.0 or 2.0) into a WSGI request and the response back into the proxy result.
"""

from apig_wsgi import make_lambda_handler
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(framework="flask", path=request.path)


@app.route("/echo/<name>", methods=["GET", "POST"])
def echo(name):
    return jsonify(name=name, method=request.method, args=request.args.to_dict(),
                   json=request.get_json(silent=True)), 201 if request.method == "POST" else 200


@app.get("/cookie")
def cookie():
    response = jsonify(set=True)
    response.set_cookie("flavour", "oat")
    response.set_cookie("size", "large")
    return response


handler = make_lambda_handler(app, binary_support=True)
