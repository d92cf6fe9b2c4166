"""miniworld"""
