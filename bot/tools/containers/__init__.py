"""The container images of deploy/, checked and measured without a container engine.

No Docker daemon runs on the development machines and Docker Hub is out of reach, so
what can be checked is checked from the files themselves: the Dockerfiles are parsed
(``dockerfile``), their COPY sources resolved against the repository and
``.dockerignore`` (``context``), the ``/app`` tree of an image assembled from those COPY
lines and its ENTRYPOINT run directly (tests/cluster/test_images.py), the settings of
docker-compose and Helm compared with ``deploy/cluster.env`` (``settings``) and what
each image adds measured (``size``). ``python -m bot deploy …`` runs them.
"""
